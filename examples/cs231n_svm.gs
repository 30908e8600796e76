# CS231n (Stanford), lecture 3 "Loss Functions and Optimization" and the notes "Linear
# classification": the multiclass SVM loss of three training images with scores
#                cat image  car image  frog image
#     cat          3.2        1.3        2.2
#     car          5.1        4.9        2.5
#     frog        -1.7        2.0       -3.1
#   L_i = sum over j != y_i of max(0, s_j - s_{y_i} + 1)
# The slides' losses: 2.9 for the cat image, 0 for the car, 12.9 for the frog, and the loss
# over the dataset is their average, L = (2.9 + 0 + 12.9) / 3 = 5.27.
# The notes' code picks the correct class's score by indexing, scores[y]: here S[:, 0] is the
# cat image's column of scores, cat[0] its cat score (class 0), frog[-1] the frog's last one.
# dL/dS shows the gradient the notes derive: 1 for each class whose margin is violated, minus
# their count for the correct class (each divided by 3 for the average).
S = [[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]]
cat = S[:, 0]
car = S[:, 1]
frog = S[:, 2]
L_cat = max(0, cat[1] - cat[0] + 1) + max(0, cat[2] - cat[0] + 1)
L_car = max(0, car[0] - car[1] + 1) + max(0, car[2] - car[1] + 1)
L_frog = max(0, frog[0] - frog[-1] + 1) + max(0, frog[1] - frog[-1] + 1)
L = (L_cat + L_car + L_frog) / 3
